"""estimates: military capacity from graded open-source claims, with honest uncertainty.

The package holds the whole statistical core; notebooks in ``notebooks/`` call it and stay thin.
Subpackages, each importing only from those listed before it (``tests/test_layout.py`` keeps it so):

- ``core``        pure maths and wording, no file I/O: ICD 203 words, quantities, distributions,
                  proportions, hazards, judgments, the confidence rule, Sobol indices, the calendar
- ``errors``, ``paths``, ``storage``, ``charts``  exit codes, where files live, atomic writes, plot primitives
- ``inputs``      every loader: the claims ledger, statements, transfers, loss claims, CDB90 battles
- ``model``, ``registry``  what a model is, and the list of models: one line each
- ``parameters``  declarations, the shared parameters, the one schema assembled from the registry,
                  parameter files
- ``models``      one folder per model (attrition, resupply, pooling, losses, lanchester): its
                  parameters, maths, assessment, charts, report pieces, template and schema
- ``report``      records, ``results.json`` schema, the briefing, what changed (diff), PDF
- ``run``         the suite: plan and preflight, executing notebooks, cache, locking
- ``sweep``       scenario sweeps on Dask
- ``cli``         argument parsing for the ``estimates`` command
"""

__version__ = "0.1.0"

"""estimates: military capacity from graded open-source claims, with honest uncertainty.

The package holds the whole statistical core; notebooks in ``notebooks/`` call it and stay thin.
Modules, one concept each:

- ``wording``      ICD 203 words of estimative probability
- ``quantities``   interval, quantile and Monte Carlo probability records
- ``distributions`` inputs stated the way analysts think (90% intervals, k of n)
- ``claims``       the graded claims ledger (Admiralty reliability and credibility)
- ``params``       the one typed schema of every run parameter
- ``proportion``   what "k of n" says about the per-unit probability behind it
- ``attrition``    BTG attrition: hazard, projection, judgments
- ``readings``     the seed's "about 75%", read both ways
- ``grading``      Admiralty grades to probabilities; correlated claim truth
- ``transfers``    the consignment and BTG-holdings tables
- ``resupply``     transfers to capability restored, by category and date
- ``sensitivity``  Sobol indices (SALib) over the per-draw inputs
- ``resupply_analysis`` the resupply notebook's whole analysis in one call
- ``judgments``, ``confidence``, ``caveats``  judgments, the confidence rule, notes on unusual inputs
- ``provenance``   where every input came from
- ``record``       how a notebook records its numbers for ``results.json``
- ``runner``, ``locking``, ``cache``, ``storage``  running the suite safely and incrementally
- ``sweep``        scenario sweeps on Dask
- ``diff``         what changed between two runs, and why
- ``briefing``, ``pdf``  ``briefing.html`` (and PDF) from ``results.json``
- ``plotting``     every figure
- ``cli``          argument parsing for the ``estimates`` command
"""

__version__ = "0.1.0"

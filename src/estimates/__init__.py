"""estimates: military capacity from graded open-source claims, with honest uncertainty.

The package holds the whole statistical core; notebooks in ``notebooks/`` call it and stay thin.
Modules, one concept each:

- ``wording``      ICD 203 words of estimative probability
- ``quantities``   interval, quantile and Monte Carlo probability records
- ``distributions`` inputs stated the way analysts think (90% intervals, k of n)
- ``claims``       the graded claims ledger (Admiralty reliability and credibility)
- ``params``       the one typed schema of every run parameter
- ``attrition``    BTG attrition: proportion, hazard, projection, the "75%" readings
- ``record``       how a notebook records its numbers for ``results.json``
- ``runner``       executes the notebook suite through papermill
- ``briefing``     renders ``briefing.html`` from ``results.json``
- ``plotting``     every figure
- ``cli``          argument parsing for the ``estimates`` command
"""

__version__ = "0.1.0"

"""Groups of shared parameters (:mod:`estimates.parameters.shared`) that models name in ``uses``."""

#: What a model that draws random numbers and reads the claims ledger takes.
RUN = ("seed", "n_samples", "as_of", "case", "likelihood_scale", "claims_path")
#: The reported counts of the force.
FORCE = ("units_committed", "units_ineffective", "count_date", "denominator_uncertainty", "prior", "overdispersion")

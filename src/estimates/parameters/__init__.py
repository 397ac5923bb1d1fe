"""Parameters: how they are declared (``fields``), the ones every model shares (``shared``), the
one validated schema assembled from the registry (``schema``) and parameter files (``files``)."""

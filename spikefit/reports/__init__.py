"""Reports: figures and, later, model comparisons."""

"""The embedding projections page's sections."""

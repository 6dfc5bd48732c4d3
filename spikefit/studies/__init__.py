"""Reproductions of published studies, each a package: ``destexhe2009`` (AdEx cell types and
the self-sustained cortical network). Studies may use every room below them (reports,
fitting, features, models, data); nothing below imports a study."""

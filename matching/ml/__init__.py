"""Tandem's matching core: plain Python, NumPy, SciPy and scikit-learn on
arrays. No Django imports, so every part is tested without a database;
``matching.services`` joins it to the ORM."""

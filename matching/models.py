# Matches and ranker versions arrive with the matching engine.

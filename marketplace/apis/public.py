"""(being written)"""


def routes(router) -> list:
    """Register this module's viewsets on the router; return any plain paths."""
    return []

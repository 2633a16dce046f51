"""Port traffic, DASSA (domain §1): operational tables, weekly exports and exits into ``raw_traffic``.

``land_source`` is the entry point the runner calls; ``cli.register`` adds ``elt back-propagate``.
"""

from extract.traffic.source import RESOURCES, land_source, traffic_source

__all__ = ["RESOURCES", "land_source", "traffic_source"]

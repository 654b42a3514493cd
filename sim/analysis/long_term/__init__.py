"""Beyond the municipality's budget: the long-term public value of a policy (``long_term:`` in a scenario).

``value``: paired path differences valued with consequence profiles x prices per actor, adjusted and
discounted, per replication; ``som``: a user's export of SØM's knowledge base read into a ``long_term:``
section. docs/long-term.md has the method and its sources.
"""

from sim.analysis.long_term.som import (
    long_term_from_som,
    read_som_consequences,
    read_som_prices,
)
from sim.analysis.long_term.value import (
    LONG_TERM_COLUMNS,
    LongTermValue,
    column,
    has_long_term,
    left_out_ids,
    long_term_table,
    path_difference,
    quantity_metrics,
    value_pair,
    weakest_grade,
    with_long_term,
    year_weights,
)

__all__ = [
    "LONG_TERM_COLUMNS", "LongTermValue", "column", "has_long_term", "left_out_ids", "long_term_from_som",
    "long_term_table", "path_difference", "quantity_metrics", "read_som_consequences", "read_som_prices",
    "value_pair", "weakest_grade", "with_long_term", "year_weights",
]

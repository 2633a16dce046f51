{#- Ordered string aggregation: the values of `expr` joined with `delimiter` in `order_by` order.
    Engine-specific: add a variant per adapter (e.g. spark: array_join(sort_array(...))). -#}
{% macro ordered_string_agg(expr, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_string_agg', 'logistics_elt')(expr, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_string_agg(expr, delimiter, order_by) -%}
    string_agg({{ expr }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{#- Ordered string aggregation: the values of `expr` joined with `delimiter` in `order_by` order.
    Engine-specific: add a variant per adapter (e.g. spark: array_join(sort_array(...))). -#}
{% macro traffic_string_agg(expr, delimiter, order_by) -%}
    {{ return(adapter.dispatch('traffic_string_agg', 'logistics_elt')(expr, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__traffic_string_agg(expr, delimiter, order_by) -%}
    string_agg({{ expr }}, '{{ delimiter }}' order by {{ order_by }})
{%- endmacro %}

{#- The first non-null value of `expr` in `order_by` order, as an aggregate. -#}
{% macro traffic_first_value_agg(expr, order_by) -%}
    {{ return(adapter.dispatch('traffic_first_value_agg', 'logistics_elt')(expr, order_by)) }}
{%- endmacro %}

{% macro default__traffic_first_value_agg(expr, order_by) -%}
    (array_agg({{ expr }} order by {{ order_by }}) filter (where {{ expr }} is not null))[1]
{%- endmacro %}

{% macro duckdb__traffic_first_value_agg(expr, order_by) -%}
    arg_min({{ expr }}, {{ order_by }}) filter (where {{ expr }} is not null)
{%- endmacro %}

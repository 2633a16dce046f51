{#- The first non-null value of `expr` in `order_by` order, as an aggregate. -#}
{% macro first_value_agg(expr, order_by) -%}
    {{ return(adapter.dispatch('first_value_agg', 'logistics_elt')(expr, order_by)) }}
{%- endmacro %}

{% macro default__first_value_agg(expr, order_by) -%}
    (array_agg({{ expr }} order by {{ order_by }}) filter (where {{ expr }} is not null))[1]
{%- endmacro %}

{% macro duckdb__first_value_agg(expr, order_by) -%}
    arg_min({{ expr }}, {{ order_by }}) filter (where {{ expr }} is not null)
{%- endmacro %}

{#- Spark: min_by skips rows whose ordering is null, so null values are left out this way. -#}
{% macro spark__first_value_agg(expr, order_by) -%}
    min_by({{ expr }}, case when {{ expr }} is not null then {{ order_by }} end)
{%- endmacro %}

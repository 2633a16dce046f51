{#- A value as a JSON literal, as text (null -> `null`). -#}
{% macro json_literal(expr) -%}
    {{ return(adapter.dispatch('json_literal', 'logistics_elt')(expr)) }}
{%- endmacro %}

{% macro default__json_literal(expr) -%}
    coalesce(cast(to_json(cast({{ expr }} as text)) as text), 'null')
{%- endmacro %}

{% macro duckdb__json_literal(expr) -%}
    coalesce(cast(to_json(cast({{ expr }} as varchar)) as varchar), 'null')
{%- endmacro %}

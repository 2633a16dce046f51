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

{#- Spark: to_json takes structs only; a JSON string built by hand (backslash and quote escaped). -#}
{% macro spark__json_literal(expr) -%}
    coalesce(
        concat('"', replace(replace(cast({{ expr }} as string), r'\', r'\\'), '"', r'\"'), '"'),
        'null'
    )
{%- endmacro %}

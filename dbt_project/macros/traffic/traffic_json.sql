{#- Portable JSON: a value as a JSON literal (text; null -> `null`), and the JSON column type. -#}
{% macro traffic_json_literal(expr) -%}
    {{ return(adapter.dispatch('traffic_json_literal', 'logistics_elt')(expr)) }}
{%- endmacro %}

{% macro default__traffic_json_literal(expr) -%}
    coalesce(cast(to_json(cast({{ expr }} as text)) as text), 'null')
{%- endmacro %}

{% macro duckdb__traffic_json_literal(expr) -%}
    coalesce(cast(to_json(cast({{ expr }} as varchar)) as varchar), 'null')
{%- endmacro %}

{% macro traffic_json_type() -%}
    {{ return(adapter.dispatch('traffic_json_type', 'logistics_elt')()) }}
{%- endmacro %}

{% macro default__traffic_json_type() -%}
    json
{%- endmacro %}

{% macro postgres__traffic_json_type() -%}
    jsonb
{%- endmacro %}

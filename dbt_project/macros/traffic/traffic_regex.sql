{#- True when `expr` matches the regular expression `pattern` (anchors belong in the pattern).
    Engine-specific: add a variant per adapter. -#}
{% macro traffic_regex_match(expr, pattern) -%}
    {{ return(adapter.dispatch('traffic_regex_match', 'logistics_elt')(expr, pattern)) }}
{%- endmacro %}

{% macro default__traffic_regex_match(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{% macro duckdb__traffic_regex_match(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- True when `expr` matches the regular expression `pattern` (anchors belong in the pattern; a
    quote in the pattern is escaped here). -#}
{% macro regex_match(expr, pattern) -%}
    {{ return(adapter.dispatch('regex_match', 'logistics_elt')(expr, pattern)) }}
{%- endmacro %}

{% macro default__regex_match(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{% macro duckdb__regex_match(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}

{#- Spark: a raw string literal, so backslashes reach the (Java) regex unchanged. -#}
{% macro spark__regex_match(expr, pattern) -%}
    ({{ expr }} rlike r'{{ pattern }}')
{%- endmacro %}

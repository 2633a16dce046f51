{#- The JSON column type (`jsonb` on PostgreSQL). -#}
{% macro type_json() -%}
    {{ return(adapter.dispatch('type_json', 'logistics_elt')()) }}
{%- endmacro %}

{% macro default__type_json() -%}
    json
{%- endmacro %}

{% macro postgres__type_json() -%}
    jsonb
{%- endmacro %}

{#- Spark: JSON is kept as text. -#}
{% macro spark__type_json() -%}
    string
{%- endmacro %}

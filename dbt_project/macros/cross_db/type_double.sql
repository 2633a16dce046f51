{#- 64-bit float on every engine (`dbt.type_float()` is 32-bit `float` on DuckDB). -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'logistics_elt')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro spark__type_double() -%}
    double
{%- endmacro %}

{#- Rows of a group that meet a condition (bigint on PostgreSQL and DuckDB). -#}
{% macro count_where(condition) -%}
    count(case when {{ condition }} then 1 end)
{%- endmacro %}

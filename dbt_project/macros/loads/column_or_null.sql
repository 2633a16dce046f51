{#- A column of a raw table, or a typed null when the landed table lacks it (dlt creates no column
    that never held a value; production `arribos_expo_ctns` has no `id`). -#}
{% macro column_or_null(relation, column, data_type) -%}
    {%- if execute -%}
        {%- set names = adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list -%}
        {%- if column | lower in names -%}
            {{ column }}
        {%- else -%}
            cast(null as {{ data_type }})
        {%- endif -%}
    {%- else -%}
        {{ column }}
    {%- endif -%}
{%- endmacro %}

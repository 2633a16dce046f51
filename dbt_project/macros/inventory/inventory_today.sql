{#- "Today" for expiration statuses: the var `inventory_today` (an ISO date, for tests and
    back-dated reports) or the current date of the warehouse. -#}
{% macro inventory_today() -%}
    {%- set today = var('inventory_today', none) -%}
    {%- if today -%}
        cast('{{ today }}' as date)
    {%- else -%}
        current_date
    {%- endif -%}
{%- endmacro %}

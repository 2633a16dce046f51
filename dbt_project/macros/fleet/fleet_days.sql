{#- A route's day (domain §2): the calendar day of a timestamptz in var `fleet_time_zone`
    (America/Sao_Paulo), exactly that day. -#}
{% macro fleet_route_date(column) -%}
    {{ local_date(column, var('fleet_time_zone')) }}
{%- endmacro %}

{#- The days of `days_query` (a query of one column of ISO date text, `YYYY-MM-DD`) as the tracker
    writes them (`'YYYY-MM-DD', 'DD/MM/YYYY'`), for an `in (...)` filter on the raw text: literal
    values, so PostgreSQL applies it while scanning, before the staging view parses anything (it
    does not flatten views with CTEs, so a join would parse the whole history first). Exact because
    the tracker's clock is local time in `fleet_time_zone` (Brazil, no daylight saving since 2019).
    Runs the query; `''` (no day) when it finds none. -#}
{% macro fleet_day_texts(days_query) -%}
    {%- if not execute -%}
        {{ return("''") }}
    {%- endif -%}
    {%- set texts = [] -%}
    {%- for day in run_query(days_query).columns[0].values() if day is not none -%}
        {%- do texts.append("'" ~ day ~ "'") -%}
        {%- do texts.append("'" ~ day[8:10] ~ "/" ~ day[5:7] ~ "/" ~ day[0:4] ~ "'") -%}
    {%- endfor -%}
    {{ return(texts | join(', ') if texts else "''") }}
{%- endmacro %}

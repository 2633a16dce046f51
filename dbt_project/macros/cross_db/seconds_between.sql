{#- Seconds from one timestamp to a later one, as a double. -#}
{% macro seconds_between(start_ts, end_ts) -%}
    {{ return(adapter.dispatch('seconds_between', 'logistics_elt')(start_ts, end_ts)) }}
{%- endmacro %}

{% macro default__seconds_between(start_ts, end_ts) -%}
    cast(extract(epoch from ({{ end_ts }} - {{ start_ts }})) as {{ type_double() }})
{%- endmacro %}

{% macro duckdb__seconds_between(start_ts, end_ts) -%}
    cast(epoch({{ end_ts }}) - epoch({{ start_ts }}) as {{ type_double() }})
{%- endmacro %}

{% macro spark__seconds_between(start_ts, end_ts) -%}
    cast((unix_micros({{ end_ts }}) - unix_micros({{ start_ts }})) / 1000000.0 as {{ type_double() }})
{%- endmacro %}

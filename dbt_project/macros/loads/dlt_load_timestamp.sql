{#- The load time of a raw row: dlt's `_dlt_load_id` is the load's unix timestamp as text. -#}
{% macro dlt_load_timestamp(load_id) -%}
    {{ return(adapter.dispatch('dlt_load_timestamp', 'logistics_elt')(load_id)) }}
{%- endmacro %}

{% macro default__dlt_load_timestamp(load_id) -%}
    cast(to_timestamp(cast({{ load_id }} as double precision)) at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro spark__dlt_load_timestamp(load_id) -%}
    timestamp_micros(cast(cast({{ load_id }} as double) * 1000000 as bigint))
{%- endmacro %}

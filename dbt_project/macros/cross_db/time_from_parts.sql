{#- A time of day from integer hour and minute. -#}
{% macro time_from_parts(hour, minute) -%}
    {{ return(adapter.dispatch('time_from_parts', 'logistics_elt')(hour, minute)) }}
{%- endmacro %}

{% macro default__time_from_parts(hour, minute) -%}
    make_time({{ hour }}, {{ minute }}, 0)
{%- endmacro %}

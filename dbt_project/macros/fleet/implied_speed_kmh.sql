{#- The speed in km/h implied by moving from one point to the next: great-circle distance over the
    seconds between them (at least one second); null when either point is missing. -#}
{% macro implied_speed_kmh(lat1, lon1, ts1, lat2, lon2, ts2) -%}
    {{ haversine_km(lat1, lon1, lat2, lon2) }}
    / greatest({{ seconds_between(ts1, ts2) }}, 1) * 3600
{%- endmacro %}

{#- Text normalisation of the DASSA sources. Placeholders (var `traffic_placeholders`, by default
    `-` and empty) mean "unknown" and become null. -#}

{% macro traffic_clean(expr) -%}
    case
        when trim({{ expr }}) in (
            {%- for p in var('traffic_placeholders') %}'{{ p | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
        ) then null
        else trim({{ expr }})
    end
{%- endmacro %}

{#- Containers and bookings: trimmed and upper-cased. -#}
{% macro traffic_upper_clean(expr) -%}
    upper({{ traffic_clean(expr) }})
{%- endmacro %}

{#- The container key used for validation and matching: upper case without hyphens and spaces
    (`OOCU-048760-4` -> `OOCU0487604`). -#}
{% macro traffic_container_key(expr) -%}
    replace(replace({{ traffic_upper_clean(expr) }}, '-', ''), ' ', '')
{%- endmacro %}

{#- Terminal codes of the port: 10057 TRP, 10073 Exolgan, 10068 Terminal 4; names kept as they are. -#}
{% macro traffic_terminal_name(expr) -%}
    case {{ expr }}
        when '10057' then 'TRP'
        when '10073' then 'Exolgan'
        when '10068' then 'Terminal 4'
        else {{ expr }}
    end
{%- endmacro %}

{#- Dimension codes: 20 ft -> 30, 40 ft HC -> 70, other 40 ft -> 60. Newer exports carry the raw
    20/40, mapped here; the legacy codes pass through. -#}
{% macro traffic_dimension_code(dimension, tipo_cnt) -%}
    case
        when {{ dimension }} = '20' then '30'
        when {{ dimension }} = '40' and upper(coalesce({{ tipo_cnt }}, '')) like '%HC%' then '70'
        when {{ dimension }} = '40' then '60'
        else {{ dimension }}
    end
{%- endmacro %}

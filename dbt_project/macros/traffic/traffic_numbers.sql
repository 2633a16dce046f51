{#- Numbers written as text in the weekly exports: null when the text is no number (the validation
    then rejects the row, naming the field). `expr` must already be trimmed, placeholders nulled. -#}

{#- A decimal with `.` or `,` as the decimal separator (`12500.5`, `12500,50`, `-3`); at most 15
    integer digits, the most decimal(18, 3) holds (a longer number is no weight: unparseable). -#}
{% macro traffic_parse_decimal(expr) -%}
    case
        when {{ regex_match(expr, '^-?[0-9]{1,15}([.,][0-9]+)?$') }}
            then cast(replace({{ expr }}, ',', '.') as decimal(18, 3))
    end
{%- endmacro %}

{#- A whole number (`24`, `-1`). -#}
{% macro traffic_parse_integer(expr) -%}
    case
        when {{ regex_match(expr, '^-?[0-9]{1,18}$') }} then cast({{ expr }} as bigint)
    end
{%- endmacro %}

{#- The export's `arribado` flag: `0` or `1` (anything else is unparseable). -#}
{% macro traffic_parse_flag(expr) -%}
    case
        when {{ expr }} in ('0', '1') then cast({{ expr }} as integer)
    end
{%- endmacro %}

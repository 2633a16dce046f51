{#- Day-first date and time parsing of the DASSA exports. Unparseable values give null (the
    validation then rejects the row, naming the field). -#}

{#- A date from integer parts, or null when the parts are no calendar date (31/04, 29/02/2025). -#}
{% macro traffic_safe_date(year, month, day) -%}
    case
        when {{ month }} between 1 and 12
            and {{ day }} between 1 and case
                when {{ month }} in (4, 6, 9, 11) then 30
                when {{ month }} = 2 and ({{ year }} % 4 = 0 and ({{ year }} % 100 <> 0 or {{ year }} % 400 = 0)) then 29
                when {{ month }} = 2 then 28
                else 31
            end
            then {{ date_from_parts(year, month, day) }}
    end
{%- endmacro %}

{#- Parse a day-first date: `YYYY-MM-DD`, `dd/mm/YYYY` or `dd/mm` (one or two digits for day and
    month). A date without a year takes the year that puts it nearest `reference_date` (the load
    date): `28/12` loaded on 2026-01-03 is 2025-12-28, `03/01` loaded on 2025-12-28 is 2026-01-03.
    Ties go to the reference year. `expr` must already be trimmed, placeholders nulled. -#}
{% macro traffic_parse_date(expr, reference_date) -%}
    {%- set ref_year = "cast(extract(year from " ~ reference_date ~ ") as integer)" -%}
    {%- set d = "cast(split_part(" ~ expr ~ ", '/', 1) as integer)" -%}
    {%- set m = "cast(split_part(" ~ expr ~ ", '/', 2) as integer)" -%}
    {%- set candidates = [] -%}
    {%- for offset in [0, -1, 1] -%}
        {%- do candidates.append(traffic_safe_date("(" ~ ref_year ~ " + " ~ offset ~ ")", m, d)) -%}
    {%- endfor -%}
    {%- set distances = [] -%}
    {%- for c in candidates -%}
        {%- do distances.append("coalesce(abs(" ~ dbt.datediff(reference_date, c, 'day') ~ "), 100000)") -%}
    {%- endfor -%}
    case
        when {{ regex_match(expr, '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$') }} then {{ traffic_safe_date(
            "cast(split_part(" ~ expr ~ ", '-', 1) as integer)",
            "cast(split_part(" ~ expr ~ ", '-', 2) as integer)",
            "cast(split_part(" ~ expr ~ ", '-', 3) as integer)") }}
        when {{ regex_match(expr, '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$') }} then {{ traffic_safe_date(
            "cast(split_part(" ~ expr ~ ", '/', 3) as integer)", m, d) }}
        when {{ regex_match(expr, '^[0-9]{1,2}/[0-9]{1,2}$') }} then
            case
                when {{ distances[0] }} <= {{ distances[1] }} and {{ distances[0] }} <= {{ distances[2] }}
                    then {{ candidates[0] }}
                when {{ distances[1] }} <= {{ distances[2] }} then {{ candidates[1] }}
                else {{ candidates[2] }}
            end
    end
{%- endmacro %}

{#- Parse a clock time: `HHMM`, `HMM`, `HH:MM` or `H:MM` (trailing spaces already trimmed). -#}
{% macro traffic_parse_time(expr) -%}
    {%- set padded = "lpad(" ~ expr ~ ", 4, '0')" -%}
    {%- set ph = "cast(substr(" ~ padded ~ ", 1, 2) as integer)" -%}
    {%- set pm = "cast(substr(" ~ padded ~ ", 3, 2) as integer)" -%}
    {%- set h = "cast(split_part(" ~ expr ~ ", ':', 1) as integer)" -%}
    {%- set mi = "cast(split_part(" ~ expr ~ ", ':', 2) as integer)" -%}
    case
        when {{ regex_match(expr, '^[0-9]{3,4}$') }} then
            case when {{ ph }} < 24 and {{ pm }} < 60 then {{ time_from_parts(ph, pm) }} end
        when {{ regex_match(expr, '^[0-9]{1,2}:[0-9]{2}$') }} then
            case when {{ h }} < 24 and {{ mi }} < 60 then {{ time_from_parts(h, mi) }} end
    end
{%- endmacro %}

{#- Argentina-local timestamps (Salidas.fecha_egr, UTC-3, no zone stored) as legacy texts. -#}
{% macro traffic_format_day_time(ts) -%}
    {{ return(adapter.dispatch('traffic_format_day_time', 'logistics_elt')(ts)) }}
{%- endmacro %}

{% macro default__traffic_format_day_time(ts) -%}
    to_char({{ ts }}, 'DD/MM/YYYY HH24:MI')
{%- endmacro %}

{% macro duckdb__traffic_format_day_time(ts) -%}
    strftime({{ ts }}, '%d/%m/%Y %H:%M')
{%- endmacro %}

{% macro traffic_format_time(ts) -%}
    {{ return(adapter.dispatch('traffic_format_time', 'logistics_elt')(ts)) }}
{%- endmacro %}

{% macro default__traffic_format_time(ts) -%}
    to_char({{ ts }}, 'HH24:MI')
{%- endmacro %}

{% macro duckdb__traffic_format_time(ts) -%}
    strftime({{ ts }}, '%H:%M')
{%- endmacro %}

{% macro spark__traffic_format_day_time(ts) -%}
    date_format({{ ts }}, 'dd/MM/yyyy HH:mm')
{%- endmacro %}

{% macro spark__traffic_format_time(ts) -%}
    date_format({{ ts }}, 'HH:mm')
{%- endmacro %}

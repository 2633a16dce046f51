{#- Lenient parsing of the fleet tracker's values (domain §2): numbers and date-times sent as text.
    Engine-specific SQL only in dispatched macros, so another adapter only adds variants. -#}

{#- A number sent as text: an optional unit after it (`"12,6 V"`, `"0 km/h"`) and a decimal comma
    are accepted; anything else (`"N/D"`, `"1.234,5"`) is null. -#}
{% macro fleet_parse_number(column) -%}
    {{ return(adapter.dispatch('fleet_parse_number', 'logistics_elt')(column)) }}
{%- endmacro %}

{#- DuckDB: one regex and a try_cast (several times faster than the portable form). -#}
{% macro duckdb__fleet_parse_number(column) -%}
    try_cast(
        replace(regexp_replace(trim({{ column }}), ' *[A-Za-z/%]+$', ''), ',', '.')
        as {{ type_double() }}
    )
{%- endmacro %}

{#- PostgreSQL: one anchored match, then the number taken out with substring (two regex calls). -#}
{% macro postgres__fleet_parse_number(column) -%}
    case
        when {{ column }} ~ '^\s*[+-]?[0-9]+([.,][0-9]+)? *[A-Za-z/%]*\s*$'
            then cast(
                replace(substring({{ column }} from '[+-]?[0-9]+(?:[.,][0-9]+)?'), ',', '.')
                as {{ type_double() }}
            )
    end
{%- endmacro %}

{% macro default__fleet_parse_number(column) -%}
    case
        when {{ regex_match(
            "regexp_replace(trim(" ~ column ~ "), ' *[A-Za-z/%]+$', '')",
            '^[+-]?[0-9]+([.,][0-9]+)?$'
        ) }}
            then cast(
                replace(regexp_replace(trim({{ column }}), ' *[A-Za-z/%]+$', ''), ',', '.')
                as {{ type_double() }}
            )
    end
{%- endmacro %}

{#- A date-time sent as `DD/MM/YYYY HH:MM:SS` or `YYYY-MM-DD HH:MM:SS`, as ISO text
    `YYYY-MM-DD HH:MM:SS` when its fields are in range, else null. -#}
{% macro fleet_iso_datetime(column) -%}
    case
        when {{ regex_match(
            'trim(' ~ column ~ ')',
            '^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4} ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$'
        ) }}
            then {{ dbt.concat([
                'substr(trim(' ~ column ~ '), 7, 4)', "'-'",
                'substr(trim(' ~ column ~ '), 4, 2)', "'-'",
                'substr(trim(' ~ column ~ '), 1, 2)',
                'substr(trim(' ~ column ~ '), 11, 9)',
            ]) }}
        when {{ regex_match(
            'trim(' ~ column ~ ')',
            '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$'
        ) }}
            then trim({{ column }})
    end
{%- endmacro %}

{#- ISO text from `fleet_iso_datetime` to a local timestamp without zone. Built from the first of
    the month plus (day - 1) days, so an impossible day (31/02) never raises: it rolls into the
    next month and is caught by comparing the day back. -#}
{% macro fleet_iso_to_timestamp(iso) -%}
    {%- set day = 'cast(substr(' ~ iso ~ ', 9, 2) as integer)' -%}
    {%- set first = "cast(" ~ dbt.concat(['substr(' ~ iso ~ ', 1, 8)', "'01'", 'substr(' ~ iso ~ ', 11, 9)']) ~ " as " ~ dbt.type_timestamp() ~ ")" -%}
    case
        when extract(day from {{ dbt.dateadd('day', day ~ ' - 1', first) }}) = {{ day }}
            then {{ dbt.dateadd('day', day ~ ' - 1', first) }}
    end
{%- endmacro %}

{#- A date-time sent as `DD/MM/YYYY HH:MM:SS` or `YYYY-MM-DD HH:MM:SS` in local time of `time_zone`,
    as timestamptz; null when it is neither or not a real moment (31/02). -#}
{% macro fleet_parse_timestamp(column, time_zone) -%}
    {{ return(adapter.dispatch('fleet_parse_timestamp', 'logistics_elt')(column, time_zone)) }}
{%- endmacro %}

{% macro default__fleet_parse_timestamp(column, time_zone) -%}
    {{ local_to_timestamp_tz(fleet_iso_to_timestamp(fleet_iso_datetime(column)), time_zone) }}
{%- endmacro %}

{#- PostgreSQL: one anchored regex per format (ranges checked), then the date from its parts. A day
    beyond the month's end (31/02) rolls over in the arithmetic and is caught by comparing it back. -#}
{% macro postgres__fleet_parse_timestamp(column, time_zone) -%}
    {%- set t = 'trim(' ~ column ~ ')' -%}
    {%- set clock = '([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$' -%}
    case
        when {{ t }} ~ '^(0[1-9]|[12][0-9]|3[01])/(0[1-9]|1[0-2])/[0-9]{4} {{ clock }}'
            then {{ fleet_timestamp_from_parts(
                'substr(' ~ t ~ ', 7, 4)', 'substr(' ~ t ~ ', 4, 2)', 'substr(' ~ t ~ ', 1, 2)',
                'substr(' ~ t ~ ', 12, 8)', time_zone) }}
        when {{ t }} ~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) {{ clock }}'
            then {{ fleet_timestamp_from_parts(
                'substr(' ~ t ~ ', 1, 4)', 'substr(' ~ t ~ ', 6, 2)', 'substr(' ~ t ~ ', 9, 2)',
                'substr(' ~ t ~ ', 12, 8)', time_zone) }}
    end
{%- endmacro %}

{% macro fleet_timestamp_from_parts(year, month, day, hms, time_zone) -%}
    {%- set first = "cast(" ~ year ~ " || '-' || " ~ month ~ " || '-01 ' || " ~ hms ~ " as timestamp)" -%}
    {%- set moment = first ~ " + (cast(" ~ day ~ " as integer) - 1) * interval '1 day'" -%}
    case
        when extract(day from {{ moment }}) = cast({{ day }} as integer)
            then {{ local_to_timestamp_tz('(' ~ moment ~ ')', time_zone) }}
    end
{%- endmacro %}

{#- DuckDB: its native try_strptime (null on anything it cannot read) instead of regexes. -#}
{% macro duckdb__fleet_parse_timestamp(column, time_zone) -%}
    {{ local_to_timestamp_tz(
        'coalesce(try_strptime(trim(' ~ column ~ "), '%d/%m/%Y %H:%M:%S'), try_strptime(trim("
        ~ column ~ "), '%Y-%m-%d %H:%M:%S'))",
        time_zone
    ) }}
{%- endmacro %}

{#- 1 when a raw value was present but could not be parsed, else 0. -#}
{% macro fleet_unparsed(raw, parsed) -%}
    case when nullif(trim({{ raw }}), '') is not null and {{ parsed }} is null then 1 else 0 end
{%- endmacro %}

{#- Spark: as DuckDB, one regex and a try_cast. -#}
{% macro spark__fleet_parse_number(column) -%}
    try_cast(
        replace(regexp_replace(trim({{ column }}), ' *[A-Za-z/%]+$', ''), ',', '.')
        as {{ type_double() }}
    )
{%- endmacro %}

{#- Spark: the ISO text parsed strictly (try_to_timestamp is null for 31/02), read as local time. -#}
{% macro spark__fleet_parse_timestamp(column, time_zone) -%}
    {{ local_to_timestamp_tz(
        "try_to_timestamp(" ~ fleet_iso_datetime(column) ~ ", 'yyyy-MM-dd HH:mm:ss')", time_zone
    ) }}
{%- endmacro %}

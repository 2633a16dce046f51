{#- ISO 6346 check digit of a container key (`^[A-Z]{4}[0-9]{7}$`, hyphens already removed).
    Letters count A=10, B=12 ... Z=38 (multiples of 11 skipped), digits their value; position i
    (0-based) weighs 2^i; the check digit is (sum mod 11) mod 10. Null for keys of another shape. -#}
{% macro traffic_iso6346_check_digit_ok(key) -%}
    {%- set letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ' -%}
    {%- set values = '1012131415161718192021232425262728293031323435363738' -%}
    case
        when {{ regex_match(key, '^[A-Z]{4}[0-9]{7}$') }} then
            (
                {%- for i in range(4) %}
                cast(substr('{{ values }}', 2 * position(substr({{ key }}, {{ i + 1 }}, 1) in '{{ letters }}') - 1, 2) as integer) * {{ 2 ** i }} +
                {%- endfor %}
                {%- for i in range(4, 10) %}
                cast(substr({{ key }}, {{ i + 1 }}, 1) as integer) * {{ 2 ** i }}{{ " +" if not loop.last }}
                {%- endfor %}
            ) % 11 % 10 = cast(substr({{ key }}, 11, 1) as integer)
    end
{%- endmacro %}

{#- Why a container key is invalid (null when valid): the format rule (var `traffic_container_regex`)
    and, when var `traffic_container_check_digit` is true, the ISO 6346 check digit. -#}
{% macro traffic_container_problem(key) -%}
    case
        when not {{ regex_match(key, var('traffic_container_regex')) }} then 'invalid container format'
        {%- if var('traffic_container_check_digit') %}
        when not coalesce({{ traffic_iso6346_check_digit_ok(key) }}, false) then 'invalid container check digit'
        {%- endif %}
    end
{%- endmacro %}

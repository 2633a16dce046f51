{#- Every validation rule of the DASSA rows, in one place. Returns the reasons a staging row is
    invalid, joined with `; ` (null when valid). Rules, configurable through vars:
    - required fields per table (`traffic_required_fields`): `missing <field>`;
    - container (`traffic_container_regex` after removing hyphens and spaces, plus the ISO 6346
      check digit when `traffic_container_check_digit`): `invalid container format` /
      `invalid container check digit`;
    - booking (`traffic_booking_regex`, when present): `invalid booking`;
    - `cantidad` > 0 and at most `traffic_max_cantidad` (when present);
    - a value present in the source that does not parse (`unparseable <field>`), given as
      `parsed` pairs of (text column, parsed column);
    - a business key seen in an earlier source row (`duplicate <key>`), given as `duplicate_key`. -#}
{% macro traffic_rejection_reasons(table_name, booking=false, cantidad=false, parsed=[], duplicate_key=none) -%}
    {%- set checks = [] -%}
    {%- for field in var('traffic_required_fields').get(table_name, []) -%}
        {%- do checks.append("case when " ~ field ~ " is null then 'missing " ~ field ~ "' end") -%}
    {%- endfor -%}
    {%- do checks.append("case when container_key is not null then " ~ traffic_container_problem('container_key') ~ " end") -%}
    {%- if booking -%}
        {%- do checks.append("case when booking is not null and not " ~ regex_match('booking', var('traffic_booking_regex')) ~ " then 'invalid booking' end") -%}
    {%- endif -%}
    {%- if cantidad -%}
        {%- do checks.append("case when cantidad <= 0 then 'cantidad not positive' when cantidad > " ~ var('traffic_max_cantidad') ~ " then 'cantidad above " ~ var('traffic_max_cantidad') ~ "' end") -%}
    {%- endif -%}
    {%- for text_column, parsed_column in parsed -%}
        {%- do checks.append("case when " ~ text_column ~ " is not null and " ~ parsed_column ~ " is null then 'unparseable " ~ parsed_column ~ "' end") -%}
    {%- endfor -%}
    {%- if duplicate_key is not none -%}
        {%- do checks.append("case when " ~ duplicate_key ~ " is not null and row_number() over (partition by " ~ duplicate_key ~ " order by source_row) > 1 then 'duplicate " ~ duplicate_key ~ "' end") -%}
    {%- endif -%}
    nullif(concat_ws('; ',
        {%- for check in checks %}
        {{ check }}{{ "," if not loop.last }}
        {%- endfor %}
    ), '')
{%- endmacro %}

{#- The one way to read a raw table that may not be landed yet: the relation when it exists in the
    warehouse, else an empty stand-in typed by `columns` (a list of (name, type)), so the models
    build and stay empty until the table appears (rebuild to pick it up). dlt creates no table for a
    resource that never yielded a row (manual edits, an absent CSV), exits are skipped without an
    ODBC driver, a raw schema appears with its first load, `ops.elt_run_history` with the first
    recorded run. -#}
{% macro source_or_empty(relation, columns) -%}
    {%- if execute and load_relation(relation) is none -%}
        (
            select
                {%- for name, data_type in columns %}
                cast(null as {{ data_type }}) as {{ name }}{{ "," if not loop.last }}
                {%- endfor %}
            where 1 = 0
        ) as missing_source
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

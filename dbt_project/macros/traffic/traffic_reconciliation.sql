{#- Reconciliation of a weekly export with its operational table, by business key, over the valid
    rows of each (rejected rows are in `traficov2_rejects`, placeholder rows are no data). One row
    per key that disagrees: `only_in_export`, `only_in_table`, or `fields_differ` with
    `differing_fields` (legacy names, `, `-separated) and `details` (JSON text: each differing field
    with its `export` and `table` value). Nothing is reconciled while the export has not been landed
    (no row at all, not even a placeholder): an absent file is not a disagreement.
    `export_rows`, `table_rows`: the validated models (relation or CTE name), each with
    `business_key`, `source_row`, `contenedor`, `rejection_reasons`, the export with
    `is_placeholder_row`, the table with `source_id`; `table_name`: the operational table;
    `export_file`: the export's file name; `compared`: (column, legacy name) pairs compared with
    `is distinct from` (the normalised values: both sides are staged by the same macros). A query. -#}
{% macro traffic_export_reconciliation(export_rows, table_rows, table_name, export_file, compared) -%}
    with

    export_landed as (

        select count(*) > 0 as is_landed
        from {{ export_rows }}

    ),

    export_valid as (

        select * from {{ export_rows }}
        where rejection_reasons is null and not is_placeholder_row

    ),

    table_valid as (

        select * from {{ table_rows }}
        where rejection_reasons is null

    ),

    joined as (

        select
            coalesce(export_valid.business_key, table_valid.business_key) as business_key,
            coalesce(table_valid.contenedor, export_valid.contenedor) as contenedor,
            export_valid.source_row as export_row,
            table_valid.source_row,
            table_valid.source_id,
            export_valid.business_key is not null as in_export,
            table_valid.business_key is not null as in_table,
            {%- for column, label in compared %}
            export_valid.{{ column }} as export_{{ column }},
            table_valid.{{ column }} as table_{{ column }}{{ "," if not loop.last }}
            {%- endfor %}

        from export_valid
        full outer join table_valid on export_valid.business_key = table_valid.business_key

    ),

    compared as (

        select
            *,
            nullif(concat_ws(', ',
                {%- for column, label in compared %}
                case when export_{{ column }} is distinct from table_{{ column }} then '{{ label }}' end
                {{- "," if not loop.last }}
                {%- endfor %}
            ), '') as differing_fields,
            '{' || concat_ws(', ',
                {%- for column, label in compared %}
                case when export_{{ column }} is distinct from table_{{ column }} then
                    '"{{ label }}": {"export": ' || {{ json_literal('export_' ~ column) }}
                    || ', "table": ' || {{ json_literal('table_' ~ column) }} || '}'
                end{{ "," if not loop.last }}
                {%- endfor %}
            ) || '}' as details_text

        from joined

    ),

    final as (

        select
            '{{ table_name }}' as table_name,
            '{{ export_file }}' as export_file,
            business_key,
            contenedor,
            case
                when not in_table then 'only_in_export'
                when not in_export then 'only_in_table'
                else 'fields_differ'
            end as discrepancy,
            case when in_export and in_table then differing_fields end as differing_fields,
            case when in_export and in_table then details_text end as details_text,
            export_row,
            source_row,
            source_id

        from compared
        where
            (select export_landed.is_landed from export_landed)
            and (not in_export or not in_table or differing_fields is not null)

    )

    select * from final
{%- endmacro %}

{#- Incremental daily statistics recompute only the days touched by changed raw rows.

    dlt stamps every landed row with `_dlt_load_id` and, with `skip_unchanged_rows`, leaves
    unchanged rows with their old load id. A daily model keeps, per day, the newest load id it
    has seen (`_max_load_id`); on an incremental run a day is recomputed when one of its rows
    carries a newer load id than any day of the model. `delete+insert` on `date` then replaces
    just those days. -#}

{% macro touched_days_filter(rows_cte, date_column='date') -%}
    {%- if is_incremental() %}
    where {{ date_column }} in (
        select touched.{{ date_column }}
        from {{ rows_cte }} as touched
        where touched._dlt_load_id > (
            select coalesce(max(done._max_load_id), '') from {{ this }} as done
        )
    )
    {%- endif %}
{%- endmacro %}

{% macro daily_audit_columns() -%}
    max(_dlt_load_id) as _max_load_id,
    {{ dbt.cast(dbt.string_literal(run_started_at.isoformat()), api.Column.translate_type('timestamp')) }} as _computed_at
{%- endmacro %}

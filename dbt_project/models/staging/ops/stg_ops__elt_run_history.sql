{%- set history = existing_relation(source('ops', 'elt_run_history')) -%}

with

source_rows as (

    {% if history is not none -%}
        select * from {{ source('ops', 'elt_run_history') }}
    {%- else -%}
        -- the table appears with the first recorded run: typed, empty until then
        select
            cast(null as {{ dbt.type_string() }}) as run_id,
            cast(null as {{ dbt.type_string() }}) as command,
            cast(null as {{ dbt.type_string() }}) as target,
            cast(null as {{ type_timestamp_tz() }}) as run_started_at,
            cast(null as {{ type_timestamp_tz() }}) as run_ended_at,
            cast(null as {{ dbt.type_string() }}) as step,
            cast(null as {{ dbt.type_string() }}) as step_kind,
            cast(null as {{ dbt.type_string() }}) as status,
            cast(null as {{ dbt.type_bigint() }}) as rows_landed,
            cast(null as {{ dbt.type_string() }}) as rows_by_table,
            cast(null as {{ dbt.type_string() }}) as load_ids,
            cast(null as {{ dbt.type_float() }}) as duration_seconds,
            cast(null as {{ dbt.type_bigint() }}) as models_built,
            cast(null as {{ dbt.type_bigint() }}) as tests_passed,
            cast(null as {{ dbt.type_bigint() }}) as tests_failed,
            cast(null as {{ dbt.type_string() }}) as error
        where 1 = 0
    {%- endif %}

),

final as (

    select
        {{ dbt.concat(['run_id', "'|'", 'step']) }} as run_step_id,
        run_id,
        command,
        target,
        run_started_at,
        run_ended_at,
        step,
        step_kind,
        status,
        rows_landed,
        rows_by_table,
        load_ids,
        duration_seconds,
        models_built,
        tests_passed,
        tests_failed,
        error
    from source_rows

)

select * from final

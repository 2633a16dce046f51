with

source as (

    -- the table appears with the first recorded run: typed, empty until then
    select * from {{ source_or_empty(source('ops', 'elt_run_history'), [
        ('run_id', dbt.type_string()), ('command', dbt.type_string()), ('target', dbt.type_string()),
        ('run_started_at', type_timestamp_tz()), ('run_ended_at', type_timestamp_tz()),
        ('step', dbt.type_string()), ('step_kind', dbt.type_string()), ('status', dbt.type_string()),
        ('rows_landed', dbt.type_bigint()), ('rows_by_table', dbt.type_string()),
        ('load_ids', dbt.type_string()), ('duration_seconds', dbt.type_float()),
        ('models_built', dbt.type_bigint()), ('tests_passed', dbt.type_bigint()),
        ('tests_failed', dbt.type_bigint()), ('error', dbt.type_string())]) }}

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
    from source

)

select * from final

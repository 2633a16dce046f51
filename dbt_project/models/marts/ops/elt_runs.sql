with

history as (

    select * from {{ ref('stg_ops__elt_run_history') }}

),

sources as (

    select * from history
    where step_kind = 'source'

),

dbt_steps as (

    select * from history
    where step_kind = 'dbt'

),

runs as (

    select
        run_id,
        min(run_started_at) as run_started_at,
        max(run_ended_at) as run_ended_at,
        max(target) as target,
        max(command) as command
    from history
    group by run_id

),

source_totals as (

    select
        run_id,
        {{ count_where("status = 'ok'") }} as sources_ok,
        {{ count_where("status = 'failed'") }} as sources_failed,
        cast(sum(rows_landed) as {{ dbt.type_bigint() }}) as rows_landed,
        {{ dbt.listagg(
            "case when status = 'failed' then step end",
            "', '",
            "order by step",
        ) }} as failed_sources
    from sources
    group by run_id

),

final as (

    select
        runs.run_id,
        runs.run_started_at,
        runs.run_ended_at,
        runs.target,
        runs.command,
        coalesce(source_totals.sources_ok, 0) as sources_ok,
        coalesce(source_totals.sources_failed, 0) as sources_failed,
        source_totals.failed_sources,
        coalesce(source_totals.rows_landed, 0) as rows_landed,
        dbt_steps.models_built,
        dbt_steps.tests_passed,
        dbt_steps.tests_failed,
        cast(
            {{ dbt.datediff('runs.run_started_at', 'runs.run_ended_at', 'second') }}
            as {{ dbt.type_bigint() }}
        ) as duration_seconds,
        coalesce(source_totals.sources_failed, 0) = 0
        and coalesce(dbt_steps.status, 'ok') = 'ok' as succeeded
    from runs
    left join source_totals on runs.run_id = source_totals.run_id
    left join dbt_steps on runs.run_id = dbt_steps.run_id

)

select * from final

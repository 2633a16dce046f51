{#- The current Relbase lake run: the newest lake download landed (one row; none before the first). -#}
with

lake_runs as (

    select * from {{ ref('stg_inventory__lake_runs') }}

),

final as (

    select
        lake_run_id,
        finished_at
    from lake_runs
    where lake_run_id = (select max(newest.lake_run_id) from lake_runs as newest)

)

select * from final

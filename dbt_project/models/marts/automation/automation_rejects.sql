{#- The rows of the app database that no daily statistic can count, with the reason: a batch or an
    escalation without `created_at` (the app requires it; a value that was no timestamp lands as null,
    listed in raw_automation.type_rejects). Assignments and optimizations without `assigned_at` /
    `optimized_at` are pending, not rejected. -#}
with

batches as (

    select * from {{ ref('stg_automation__order_batches') }}

),

escalations as (

    select * from {{ ref('stg_automation__escalation_logs') }}

),

rejected as (

    select
        'order_batches' as source_table,
        cast(order_batch_id as {{ dbt.type_string() }}) as row_id,
        'missing created_at: no day to count it in' as reason,
        _dlt_load_id
    from batches
    where created_at is null

    union all

    select
        'escalation_logs' as source_table,
        cast(escalation_log_id as {{ dbt.type_string() }}) as row_id,
        'missing created_at: no day to count it in' as reason,
        _dlt_load_id
    from escalations
    where created_at is null

),

final as (

    select
        source_table,
        row_id,
        reason,
        {{ dlt_load_timestamp('_dlt_load_id') }} as loaded_at
    from rejected

)

select * from final

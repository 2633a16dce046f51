with

batches as (

    select * from {{ ref('stg_automation__order_batches') }}

),

dated as (

    select
        *,
        {{ automation_stats_date('created_at') }} as date
    from batches
    where created_at is not null  -- no day to count it in: listed in automation_rejects

),

final as (

    select
        date,
        count(*) as total_batches,
        cast(sum(order_count) as {{ dbt.type_bigint() }}) as total_orders_batched,
        avg(cast(order_count as {{ type_double() }})) as avg_orders_per_batch,
        min(order_count) as min_orders_per_batch,
        max(order_count) as max_orders_per_batch,
        sum(total_distance_km) as total_distance_km,
        avg(total_distance_km) as avg_distance_per_batch,
        sum(total_value) as total_value,
        avg(delivery_success_rate) as avg_success_rate,
        {{ count_where("status = 'completed'") }} as completed_batches,
        {{ count_where("status = 'failed'") }} as failed_batches,
        {{ touched_partitions_audit_columns() }}
    from dated
    {{- where_touched('dated', ['date']) }}
    group by date

)

select * from final

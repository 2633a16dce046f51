{#- Per warehouse (every warehouse, active or not), its stock as `warehouse_stock_by_lot` shows it:
    a disabled warehouse has no stock there, so it counts 0 here. -#}
with

warehouses as (

    select * from {{ ref('warehouses') }}

),

by_lot as (

    select * from {{ ref('warehouse_stock_by_lot') }}

),

{# by warehouse id: two warehouses may share a name (and, before disambiguation, a code) #}
per_warehouse as (

    select
        warehouse_id,
        count(distinct sku) as products,
        {{ count_where("lot_number <> 'NO_LOT_TRACKING'") }} as lots,
        sum(quantity) as units,
        sum(case when expiration_status = 'No Date' then quantity else 0 end) as units_no_date,
        sum(case when expiration_status = 'Expired' then quantity else 0 end) as units_expired,
        sum(case when expiration_status = 'Expiring Soon' then quantity else 0 end) as units_expiring_soon,
        sum(case when expiration_status = 'Valid' then quantity else 0 end) as units_valid
    from by_lot
    group by warehouse_id

),

final as (

    select
        warehouses.warehouse_id,
        warehouses.code as warehouse_code,
        warehouses.name as warehouse_name,
        warehouses.is_active,
        cast(coalesce(per_warehouse.products, 0) as bigint) as products,
        cast(coalesce(per_warehouse.lots, 0) as bigint) as lots,
        cast(coalesce(per_warehouse.units, 0) as numeric(18, 3)) as units,
        cast(coalesce(per_warehouse.units_no_date, 0) as numeric(18, 3)) as units_no_date,
        cast(coalesce(per_warehouse.units_expired, 0) as numeric(18, 3)) as units_expired,
        cast(coalesce(per_warehouse.units_expiring_soon, 0) as numeric(18, 3)) as units_expiring_soon,
        cast(coalesce(per_warehouse.units_valid, 0) as numeric(18, 3)) as units_valid
    from warehouses
    left join per_warehouse
        on warehouses.warehouse_id = per_warehouse.warehouse_id

)

select * from final

{#- The warehouse code of domain §3, derived from its name: accents removed, lower case, spaces and
    hyphens to `_`, only letters and `_` kept, repeated `_` collapsed, leading and trailing `_`
    stripped ("Bodega  Concepción--Sur" -> "bodega_concepcion_sur"; digits are dropped, so
    "ORINOCO 90" -> "orinoco" and "Bodega Temuco 3" -> "bodega_temuco"). Two names may give the same
    code: the `warehouses` model settles that (see there). -#}
{% macro inventory_warehouse_code(name) -%}
    {{ regex_replace_all(
        regex_replace_all(
            regex_replace_all(
                regex_replace_all('lower(' ~ strip_accents(name) ~ ')', '[ -]', '_'),
                '[^a-z_]', ''
            ),
            '_+', '_'
        ),
        '^_|_$', ''
    ) }}
{%- endmacro %}

"""A generated Shopify-style catalog (legacy header, 48 columns) of any size, written streaming."""

from __future__ import annotations

import csv
import pathlib

from biip.checksums import gs1_standard_check_digit

HEADER = (
    "Handle,Title,Body (HTML),Vendor,Product Category,Type,Tags,Published,Option1 Name,Option1 Value,"
    "Option2 Name,Option2 Value,Option3 Name,Option3 Value,Variant SKU,Variant Grams,Variant Inventory Tracker,"
    "Variant Inventory Qty,Variant Inventory Policy,Variant Fulfillment Service,Variant Price,"
    "Variant Compare At Price,Variant Requires Shipping,Variant Taxable,Variant Barcode,Image Src,Image Position,"
    "Image Alt Text,Gift Card,SEO Title,SEO Description,Google Shopping / Google Product Category,"
    "Google Shopping / Gender,Google Shopping / Age Group,Google Shopping / MPN,Google Shopping / Condition,"
    "Google Shopping / Custom Product,Variant Image,Variant Weight Unit,Variant Tax Code,Cost per item,"
    "Included / United States,Price / United States,Compare At Price / United States,Included / International,"
    "Price / International,Compare At Price / International,Status"
).split(",")
SIZES = ("S", "M", "L", "XL")


def gtin13(n: int) -> str:
    payload = f"40{n:010d}"
    return payload + str(gs1_standard_check_digit(payload))


def write_catalog(path: pathlib.Path, rows: int) -> int:
    """`rows` variant rows, 4 variants per product; returns the number of products."""
    idx = {name: i for i, name in enumerate(HEADER)}
    products = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(HEADER)
        for n in range(rows):
            row = [""] * len(HEADER)
            p, v = divmod(n, len(SIZES))
            row[idx["Handle"]] = f"product-{p}"
            if v == 0:
                products += 1
                row[idx["Title"]] = f"Product {p}"
                row[idx["Body (HTML)"]] = f"<p>Product {p}, made of cotton, it's soft.</p>"
                row[idx["Vendor"]] = "Acme"
                row[idx["Type"]] = "Shirts"
                row[idx["Tags"]] = "Cotton, Basics"
                row[idx["Published"]] = "TRUE"
                row[idx["Option1 Name"]] = "Size"
                row[idx["Gift Card"]] = "FALSE"
                row[idx["Status"]] = "active"
            row[idx["Option1 Value"]] = SIZES[v]
            row[idx["Variant SKU"]] = f"SKU-{n:07d}"
            row[idx["Variant Grams"]] = str(100 + v * 25)
            row[idx["Variant Inventory Qty"]] = str(n % 50)
            row[idx["Variant Inventory Policy"]] = "deny"
            row[idx["Variant Fulfillment Service"]] = "manual"
            row[idx["Variant Price"]] = f"{(n % 9000) / 100 + 1:.2f}"
            row[idx["Variant Requires Shipping"]] = "TRUE"
            row[idx["Variant Taxable"]] = "TRUE"
            row[idx["Variant Barcode"]] = gtin13(n)
            row[idx["Variant Weight Unit"]] = "g"
            w.writerow(row)
    return products

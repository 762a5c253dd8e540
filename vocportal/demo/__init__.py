"""Demo data: a fictional product's feedback portal, believable enough to try vocportal on."""

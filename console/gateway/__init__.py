"""The field gateway (`grid-console serve`): Open311 GeoReport v2 and the handhelds' task API.

Needs the ``gateway`` extra (FastAPI, uvicorn, python-multipart); import console.gateway.app
only where it is installed. No Qt: the gateway is a service-side package.
"""

"""API: the clients the caller may see."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from pactline.tenancy.access import access_client
from pactline.tenancy.http import api_actor
from pactline.tenancy.models import Client
from pactline.tenancy.selectors import client_list

router = Router(tags=["clients"])


class ClientOut(Schema):
    code: str
    name: str
    legal_name: str


def _client_out(client: Client) -> ClientOut:
    return ClientOut(code=client.code, name=client.name, legal_name=client.legal_name)


@router.get("/clients", response=list[ClientOut], summary="Clients visible to the caller")
def list_clients(request: HttpRequest) -> list[ClientOut]:
    return [_client_out(client) for client in client_list(actor=api_actor(request))]


@router.get("/clients/{code}", response=ClientOut, summary="One client")
def get_client(request: HttpRequest, code: str) -> ClientOut:
    return _client_out(access_client(api_actor(request), code))

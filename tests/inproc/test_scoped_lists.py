"""The lists scoped to contracts (incidents, disputes, obligations) name what they were asked for, escaped:
words typed by a person never become a mention or a link in the title."""

from __future__ import annotations

import pytest

from tests.inproc.conftest import InProcess


@pytest.mark.parametrize("command", ["/incident", "/dispute", "/obligation"])
def test_a_list_for_several_contracts_names_the_words_escaped(inproc: InProcess, command: str) -> None:
    inproc.command('add CTR-H1 title:"Router <!here> one" vendor:Acme end:2027-03-31')
    inproc.command('add CTR-H2 title:"Router <!here> two" vendor:Acme end:2027-03-31')
    answer = inproc.command("list <!here>", command=command)
    text = answer["text"] + str(answer.get("blocks"))
    assert "<!here>" not in text
    assert "&lt;!here&gt;" in text


@pytest.mark.parametrize("command", ["/incident", "/dispute", "/obligation"])
def test_a_list_for_one_contract_names_its_reference(inproc: InProcess, command: str) -> None:
    inproc.command("add CTR-ONE title:Lonely vendor:Solo end:2027-03-31")
    answer = inproc.command("list CTR-ONE", command=command)
    assert "CTR-ONE" in answer["text"] + str(answer.get("blocks"))

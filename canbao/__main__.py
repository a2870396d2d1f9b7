from canbao.cli import app

app(prog_name="canbao")

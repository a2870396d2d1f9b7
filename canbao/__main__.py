from canbao.cli import app

if __name__ == "__main__":  # not again in the worker processes an import spawns
    app(prog_name="canbao")
